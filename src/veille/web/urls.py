from django.urls import include, path

from veille.web.common.accounts import views as account_views

urlpatterns = [
    path("", account_views.home, name="home"),
    path("compte/", include("veille.web.common.accounts.urls")),
    path("", include("veille.web.common.ui.urls")),
    path("communes/<slug:commune>/", include("veille.web.cellule.urls")),
    path("communes/<slug:commune>/journal/", include("veille.web.common.accounts.journal")),
    path("communes/<slug:commune>/membres/", include("veille.web.common.accounts.members")),
    path("communes/<slug:commune>/enfants/", include("veille.web.cellule.children.urls")),
    path("communes/<slug:commune>/imports/", include("veille.web.cellule.imports.urls")),
    path("communes/<slug:commune>/dossiers/", include("veille.web.cellule.cases.urls")),
    path("communes/<slug:commune>/documents/", include("veille.web.cellule.documents.urls")),
    path("communes/<slug:commune>/reunions/", include("veille.web.cellule.meetings.urls")),
    path("communes/<slug:commune>/protection/", include("veille.web.cellule.protection.urls")),
    path("communes/<slug:commune>/indicateurs/", include("veille.web.cellule.indicators.urls")),
    path("indicateurs/departement/", include("veille.web.cellule.indicators.urls_department")),
    path("cites/", include("veille.web.cite.cites.urls")),
    path("cites/<slug:cite>/referentiel/", include("veille.web.cite.framework.urls")),
    path("cites/<slug:cite>/diagnostic/", include("veille.web.cite.diagnostic.urls")),
    path("cites/<slug:cite>/actions/", include("veille.web.cite.actions.urls")),
    path("cites/<slug:cite>/fonds/", include("veille.web.cite.funds.urls")),
    path("cites/<slug:cite>/gouvernance/", include("veille.web.cite.governance.urls")),
    path("cites/<slug:cite>/revue/", include("veille.web.cite.review.urls")),
    path("cites/<slug:cite>/reseau/", include("veille.web.cite.network.urls_cite")),
    path("reseau/", include("veille.web.cite.network.urls")),
]

handler500 = "veille.web.cellule.protection.views.server_error"
