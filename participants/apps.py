from django.apps import AppConfig


class ParticipantsConfig(AppConfig):
    name = "participants"
    verbose_name = "People and partnerships"

    def ready(self) -> None:
        from participants import audit  # noqa: F401 - registers how membership events are described
