-- Month-end market cap of each member the AI basket counted that day, USD.
WITH month_end AS (
    SELECT date_trunc('month', date) AS month, max(date) AS date
    FROM marts.ai_basket_daily
    GROUP BY 1
),

members AS (
    SELECT b.date, m.month, unnest(b.member_tickers) AS ticker
    FROM marts.ai_basket_daily AS b
    JOIN month_end AS m ON m.date = b.date
)

SELECT
    CAST(members.month AS DATE) AS month,
    members.date,
    members.ticker,
    p.market_cap
FROM members
JOIN marts.prices_daily AS p ON p.ticker = members.ticker AND p.date = members.date
WHERE p.market_cap IS NOT NULL
ORDER BY members.month, members.ticker;
