from django.urls import path

from collab import review_views, share_views, views

app_name = "collab"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/invite/", views.project_invite, name="invite"),
    path("<int:pk>/leave/", views.project_leave, name="leave"),
    path("<int:pk>/members/<int:user_id>/remove/", views.member_remove, name="member_remove"),
    path("invitations/", views.invitations, name="invitations"),
    path("invitations/<int:pk>/accept/", views.invitation_answer, {"answer": "accept"}, name="invitation_accept"),
    path("invitations/<int:pk>/decline/", views.invitation_answer, {"answer": "decline"}, name="invitation_decline"),
    path("notifications/", views.notifications, name="notifications"),
    path("images/<int:pk>/sharing/", views.raster_sharing, name="raster_sharing"),
    path("images/<int:pk>/share-link/", views.share_link_new, {"kind": "raster"}, name="raster_share_link"),
    path("analyses/<int:pk>/share-link/", views.share_link_new, {"kind": "analysis"}, name="analysis_share_link"),
    path("share-links/", views.share_links, name="share_links"),
    path("share-links/<int:pk>/revoke/", views.share_link_revoke, name="share_link_revoke"),
    path("analyses/<int:pk>/review/", review_views.analysis_review, name="analysis_review"),
    path("features/<int:pk>/", review_views.feature_detail, name="feature"),
    path("features/<int:pk>/review/", review_views.feature_review, name="feature_review"),
    path("features/<int:pk>/comment/", review_views.feature_comment, name="feature_comment"),
    path("comments/<int:pk>/delete/", review_views.comment_delete, name="comment_delete"),
    path("share/<str:token>/", share_views.share_page, name="share"),
    path("share/<str:token>/thumbnail.png", share_views.share_thumbnail, name="share_thumbnail"),
    path("share/<str:token>/tiles/<int:z>/<int:x>/<int:y>.png", share_views.share_tile, name="share_tile"),
    path("share/<str:token>/features.geojson", share_views.share_features, name="share_features"),
]
