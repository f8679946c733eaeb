from django.contrib.auth.views import LogoutView
from django.urls import path

from govstore.accounts import views

app_name = "accounts"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("login/", views.LoginView.as_view(), name="login"),
    # Django's LogoutView accepts POST only, so a link or prefetch cannot sign anyone out.
    path("logout/", LogoutView.as_view(next_page="catalog:home"), name="logout"),
    path("me/", views.me, name="me"),
    path("me/data/", views.my_data, name="my_data"),
    path("verify/", views.verify, name="verify"),
    path("language/", views.language, name="language"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("two-factor/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("two-factor/staff/", views.staff_two_factor, name="staff_two_factor"),
    path("two-factor/staff/<int:pk>/reset/", views.two_factor_reset, name="two_factor_reset"),
    path("admin-changes/", views.admin_audit, name="admin_audit"),
]
