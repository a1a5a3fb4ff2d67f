from django.apps import AppConfig


class ResidentsConfig(AppConfig):
    name = "firstline.residents"
    label = "residents"

    def ready(self) -> None:
        from firstline.geo.signals import geography_changed
        from firstline.officials.signals import officials_changed
        from firstline.policies.signals import scorecards_changed
        from firstline.residents.selectors import cache_generation_new

        # The lookup's cached blocks are built from these apps' data: any
        # change they announce starts a new generation (selectors.py).
        for signal in (geography_changed, officials_changed, scorecards_changed):
            signal.connect(cache_generation_new, dispatch_uid=f"residents_{id(signal)}")
