from django.urls import path

from clarion.tasks import views

app_name = "tasks"

urlpatterns = [
    path("tasks/", views.task_list, name="list"),
    path("tasks/view/<slug:view>/", views.task_list, name="view"),
    path("tasks/new/", views.task_new, name="new"),
    path("tasks/queues/new/", views.queue_create, name="queue_create"),
    path("tasks/for-records/", views.create_for_records, name="create_for_records"),
    path("tasks/<int:pk>/", views.task_detail, name="detail"),
    path("tasks/<int:pk>/edit/", views.task_edit, name="edit"),
    path("tasks/<int:pk>/complete/", views.task_complete, name="complete"),
    path("tasks/<int:pk>/reopen/", views.task_reopen, name="reopen"),
    path("tasks/<int:pk>/snooze/", views.task_snooze, name="snooze"),
    path("tasks/<int:pk>/reassign/", views.task_reassign, name="reassign"),
    path("tasks/<int:pk>/claim/", views.task_claim, name="claim"),
    path("tasks/<int:pk>/delete/", views.task_delete, name="delete"),
]
