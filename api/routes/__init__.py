"""One router per resource; api.main only assembles them."""
