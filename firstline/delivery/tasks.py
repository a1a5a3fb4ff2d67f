"""Tasks only load ids and call services (STYLE.md); see sending.py for the design."""

from __future__ import annotations

from django.tasks import task

from firstline.delivery import printing, rendering, sending


@task(queue_name="delivery")
def render_letters(campaign_id: int, target_ids: list[int]) -> int:
    return rendering.letters_render_batch(campaign_id=campaign_id, target_ids=target_ids)


@task(queue_name="delivery")
def deliver_pump(campaign_id: int) -> int:
    return sending.delivery_pump(campaign_id=campaign_id)


@task(queue_name="delivery")
def build_packet(packet_id: int) -> int:
    return printing.print_packet_render(packet_id=packet_id).pages
