"""Inline styles for the HTML reports and emails.

Mail clients drop most `<style>` rules, so every element carries its own `style` attribute,
taken from here. Colours meet WCAG AA contrast, and severity is always written in words too.
"""

from __future__ import annotations

FONT = "font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif"
INK, MUTED, LINE, PAPER = "#1f2933", "#52606d", "#d9e2ec", "#ffffff"

SEVERITY_COLOURS = {
    "high": ("#ffffff", "#b00020"),
    "medium": ("#ffffff", "#9a4a00"),
    "low": ("#ffffff", "#1d4ed8"),
    "info": ("#ffffff", "#52606d"),
    "warn": ("#5f370e", "#fdebc8"),
    "plain": (INK, "#f0f4f8"),
}

STYLE = {
    "body": f"margin:0;padding:0;background:#f0f4f8;{FONT};color:{INK};font-size:15px;line-height:1.5",
    "page": f"max-width:760px;margin:0 auto;padding:16px;background:{PAPER}",
    "h1": "font-size:22px;margin:0 0 4px 0;line-height:1.3",
    "h2": f"font-size:18px;margin:28px 0 8px 0;padding-bottom:4px;border-bottom:2px solid {LINE}",
    "h3": "font-size:16px;margin:0 0 4px 0",
    "muted": f"color:{MUTED};font-size:13px",
    "glance": "display:inline-block;vertical-align:top;box-sizing:border-box;width:150px;margin:0 6px 8px 0;padding:10px;border-radius:6px",
    "figure": "display:block;font-size:22px;font-weight:700;line-height:1.2",
    "figlabel": "display:block;font-size:12px;line-height:1.3",
    "card": f"border:1px solid {LINE};border-radius:6px;padding:12px;margin:0 0 12px 0",
    "post": f"white-space:pre-wrap;word-wrap:break-word;overflow-wrap:anywhere;margin:8px 0;padding:8px 10px;background:#f8fafc;border-left:3px solid {LINE};font-size:14px",
    "mark": "background:#fde68a;color:#1f2933;padding:0 1px",
    "quote": f"margin:8px 0;padding:4px 10px;border-left:3px solid #9fb3c8;color:{MUTED};font-style:italic;font-size:14px",
    "scroll": "overflow-x:auto;-webkit-overflow-scrolling:touch;margin:0 0 8px 0",
    "table": "border-collapse:collapse;font-size:13px;min-width:100%",
    "th": f"text-align:left;padding:6px 8px;border-bottom:2px solid {LINE};white-space:nowrap;background:#f8fafc",
    "td": f"padding:6px 8px;border-bottom:1px solid {LINE};vertical-align:top",
    "num": f"padding:6px 8px;border-bottom:1px solid {LINE};text-align:right;white-space:nowrap",
    "bar": "display:inline-block;height:10px;background:#3e7cb1;border-radius:2px;vertical-align:middle",
    "link": "color:#1d4ed8",
    "ok": "color:#1e6b35;font-weight:600",
    "bad": "color:#b00020;font-weight:600",
    "footer": f"margin-top:32px;padding-top:12px;border-top:1px solid {LINE};color:{MUTED};font-size:12px",
}


def severity_style(severity: str) -> str:
    fg, bg = SEVERITY_COLOURS.get(severity, SEVERITY_COLOURS["plain"])
    return f"color:{fg};background:{bg}"


def badge_style(severity: str) -> str:
    return (
        severity_style(severity)
        + ";display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:700;text-transform:uppercase;letter-spacing:.03em"
    )
