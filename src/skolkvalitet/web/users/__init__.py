"""The user administration in the browser (`/administration/anvandare/`): views.py,
forms.py, selectors.py, urls.py; its writes are organisation/user_actions.py."""
