"""HTML views, one module per area. Each module keeps its own `urlpatterns`; frontend/urls.py joins them."""
