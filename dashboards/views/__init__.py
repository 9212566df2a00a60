"""The dashboard's pages: one Streamlit script each, run by dashboards/app.py (importing one draws nothing)."""
