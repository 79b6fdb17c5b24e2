"""Login throttling for the admin's sign-in form (django-axes), in one place."""

from axes.backends import AxesStandaloneBackend


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' lockout check for sign-ins that come with a request (the admin login form).

    Code that authenticates without a request (the test client's ``login()``, scripts) has no
    address to throttle; axes would raise, so it passes through to the next backend instead.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
