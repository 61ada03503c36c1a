"""Petitions as text: progress bars, milestone notices, console and list renderings."""

from __future__ import annotations

from collections.abc import Callable

from bot.store._petitions import Petition, Revision


def progress_bar(count: int, goal: int, width: int = 20) -> str:
    """``[#######.............] 35%`` toward the goal (capped at full)."""
    fraction = min(count / goal, 1.0) if goal > 0 else 0.0
    filled = round(fraction * width)
    percent = int(count * 100 / goal) if goal > 0 else 0
    return f"[{'#' * filled}{'.' * (width - filled)}] {percent}%"


def milestone_text(petition: Petition, milestone: str, count: int | None = None) -> tuple[str, str]:
    """Title and description of a milestone notice (counts only, never signers)."""
    count = petition.signature_count if count is None else count
    progress = f"{count:,} of {petition.goal:,} signatures. {progress_bar(count, petition.goal)}"
    if milestone.startswith("goal-"):
        percent = milestone.removeprefix("goal-")
        if percent == "100":
            title = f"Petition #{petition.id} reached its goal!"
        else:
            title = f"Petition #{petition.id} is {percent}% of the way to its goal"
        return title, f"**{petition.title}** (to {petition.target})\n{progress}"
    if milestone == "deadline":
        deadline = (petition.deadline or "")[:10]
        return (
            f"Petition #{petition.id} closes soon ({deadline})",
            f"**{petition.title}** (to {petition.target})\n{progress}\nSign with "
            f"`/petition sign {petition.id}` before the deadline.",
        )
    return (
        f"Petition #{petition.id} is closed",
        f"**{petition.title}** (to {petition.target})\nFinal count: {progress}",
    )


def render_petition(
    petition: Petition, revisions: list[Revision] | None = None, *, show_demand: bool = True
) -> str:
    """A petition as plain text (console and embed description)."""
    lines = [f"Petition #{petition.id}: {petition.title} [{petition.status}]"]
    lines.append(f"To: {petition.target}")
    if petition.jurisdiction:
        lines.append(f"Place: {petition.jurisdiction}")
    if show_demand:
        lines.append("")
        lines.append(petition.demand)
        lines.append("")
    lines.append(
        f"{petition.signature_count:,} of {petition.goal:,} signatures "
        f"{progress_bar(petition.signature_count, petition.goal)}"
    )
    if petition.deadline:
        lines.append(f"Deadline: {petition.deadline[:10]}")
    if petition.closed_at:
        lines.append(f"Closed: {petition.closed_at[:10]}")
    if revisions:
        lines.append("Revision history:")
        for revision in revisions:
            lines.append(f"  {revision_line(revision)}")
    return "\n".join(lines)


def revision_line(revision: Revision, *, escape: Callable[[str], str] = str) -> str:
    """One text change: when, which field, and the old and new text (shortened)."""

    def short(text: str) -> str:
        flat = " ".join(text.split())
        return escape(flat if len(flat) <= 60 else flat[:59] + "…")

    when = revision.revised_at[:16].replace("T", " ")
    return (
        f'{when} {revision.field} changed: "{short(revision.old_value)}"'
        f' -> "{short(revision.new_value)}"'
    )


def render_petition_list(petitions: list[Petition]) -> str:
    """One line per petition."""
    if not petitions:
        return "No petitions yet."
    return "\n".join(
        f"#{p.id} {p.title} [{p.status}] {p.signature_count:,}/{p.goal:,}"
        + (f" - {p.jurisdiction}" if p.jurisdiction else "")
        for p in petitions
    )


def render_open_petitions(petitions: list[Petition], *, escape: Callable[[str], str] = str) -> str:
    """One line per open petition (the /status listing): id, title, count toward the goal."""
    return "\n".join(
        f"#{p.id} {escape(p.title)}: {p.signature_count:,}/{p.goal:,} signatures"
        f" (/petition show {p.id})"
        for p in petitions
    )
