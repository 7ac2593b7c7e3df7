"""Read functions returning views, checking `access`; they never change state. None yet."""
