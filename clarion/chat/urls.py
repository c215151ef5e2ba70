from django.urls import path

from clarion.chat import views

app_name = "chat"

urlpatterns = [
    path("chat/", views.home, name="home"),
    path("chat/sidebar/", views.sidebar_fragment, name="sidebar"),
    path("chat/channels/", views.channels, name="channels"),
    path("chat/direct/new/", views.direct_new, name="direct_new"),
    path("chat/<int:pk>/", views.conversation_page, name="conversation"),
    path("chat/<int:pk>/messages/", views.message_list, name="messages"),
    path("chat/<int:pk>/messages/new/", views.message_post, name="post"),
    path("chat/<int:pk>/messages/<int:message_pk>/", views.message_detail, name="message"),
    path("chat/<int:pk>/messages/<int:message_pk>/edit/", views.message_edit,
         name="message_edit"),
    path("chat/<int:pk>/messages/<int:message_pk>/delete/", views.message_delete,
         name="message_delete"),
    path("chat/<int:pk>/members/", views.members, name="members"),
    path("chat/<int:pk>/join/", views.join, name="join"),
    path("chat/<int:pk>/leave/", views.leave, name="leave"),
    path("chat/records/<str:type_name>/<int:pk>/", views.record_discussion,
         name="record_discussion"),
    path("chat/records/<str:type_name>/<int:pk>/post/", views.record_post, name="record_post"),
]
