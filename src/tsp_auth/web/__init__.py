"""Server-rendered pages' machinery (DESIGN §5): the Jinja environment and its base template,
the security headers, CSRF and origin checks, the cookie sign-in, the HTML error page and the
one HTML decide flow. The feature packages keep what their pages show and which service they
call (``consent.html``, ``business_centers.pages``, ``partner_apps.pages``); the development
pages (sign-in, demo callback, index) live here.
"""
