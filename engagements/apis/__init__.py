"""The engagements API under /api/v1/, one module per area; engagements/urls.py joins their urlpatterns."""
