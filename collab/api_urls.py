from django.urls import path

from collab import api

urlpatterns = [
    path("projects/", api.projects, name="api-projects"),
    path("projects/<int:pk>/", api.project_detail, name="api-project-detail"),
    path("projects/<int:pk>/members/", api.members, name="api-project-members"),
    path("projects/<int:pk>/members/<int:user_id>/", api.member_detail, name="api-project-member"),
    path("projects/<int:pk>/leave/", api.project_leave, name="api-project-leave"),
    path("projects/<int:pk>/activity/", api.project_activity, name="api-project-activity"),
    path("invitations/", api.invitations, name="api-invitations"),
    path("invitations/<int:pk>/accept/", api.invitation_answer, {"answer": "accept"}, name="api-invitation-accept"),
    path("invitations/<int:pk>/decline/", api.invitation_answer, {"answer": "decline"}, name="api-invitation-decline"),
    path("rasters/<int:pk>/sharing/", api.raster_sharing, name="api-raster-sharing"),
    path("comments/", api.comments, name="api-comments"),
    path("comments/<int:pk>/", api.comment_detail, name="api-comment-detail"),
    path("features/<int:pk>/reviews/", api.feature_reviews, name="api-feature-reviews"),
    path("analyses/<int:pk>/training-labels/", api.training_labels, name="api-training-labels"),
    path("share-links/", api.share_links, name="api-share-links"),
    path("share-links/<int:pk>/", api.share_link_detail, name="api-share-link-detail"),
    path("notifications/", api.notifications, name="api-notifications"),
    path("notifications/read/", api.notifications_read, name="api-notifications-read"),
]
