from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "library"
    verbose_name = "Shared library"

    def ready(self) -> None:
        from library import audit  # noqa: F401 - registers how library events are described
