from django.urls import include, path

from veille.web.accounts import views as account_views

urlpatterns = [
    path("", account_views.home, name="home"),
    path("compte/", include("veille.web.accounts.urls")),
    path("communes/<slug:commune>/", include("veille.web.territories.urls")),
    path("communes/<slug:commune>/journal/", include("veille.web.audit.urls")),
    path("communes/<slug:commune>/membres/", include("veille.web.accounts.members")),
    path("communes/<slug:commune>/enfants/", include("veille.web.children.urls")),
    path("communes/<slug:commune>/imports/", include("veille.web.imports.urls")),
    path("communes/<slug:commune>/dossiers/", include("veille.web.cases.urls")),
    path("communes/<slug:commune>/documents/", include("veille.web.documents.urls")),
    path("communes/<slug:commune>/reunions/", include("veille.web.meetings.urls")),
    path("communes/<slug:commune>/protection/", include("veille.web.protection.urls")),
    path("communes/<slug:commune>/indicateurs/", include("veille.web.indicators.urls")),
    path("indicateurs/departement/", include("veille.web.indicators.urls_department")),
    path("cites/", include("veille.web.cites.urls")),
    path("cites/<slug:cite>/referentiel/", include("veille.web.framework.urls")),
    path("cites/<slug:cite>/diagnostic/", include("veille.web.diagnostic.urls")),
    path("cites/<slug:cite>/actions/", include("veille.web.actions.urls")),
    path("cites/<slug:cite>/fonds/", include("veille.web.funds.urls")),
    path("cites/<slug:cite>/gouvernance/", include("veille.web.governance.urls")),
    path("cites/<slug:cite>/revue/", include("veille.web.review.urls")),
    path("cites/<slug:cite>/reseau/", include("veille.web.network.urls_cite")),
    path("reseau/", include("veille.web.network.urls")),
]

handler500 = "veille.web.protection.views.server_error"
