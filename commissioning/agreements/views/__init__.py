"""Pages of agreements (drawing up, issuing, accepting, payments), monitoring returns and the
officer's monitoring view, and the public register of spending over £500: one module each,
each with its own `urlpatterns`, joined in `agreements/urls.py`."""
