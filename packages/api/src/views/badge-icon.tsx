import { BADGE_KEYS, BADGES, type BadgeKey } from '@empdir/shared';
import { raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

// Small inline SVGs stand in for the Font Awesome 4 icons the original loaded from a CDN: they need
// no font on the viewer's machine (emoji glyphs showed as empty boxes where none was installed).
/** Each badge icon's SVG path (16×16 view box). */
export const BADGE_PATHS: Record<BadgeKey, string> = {
  apple:
    'M8 4.5C6.8 3.4 4.6 3.3 3.4 4.6 1.6 6.6 2.5 10.6 4.6 12.8c1 1 2.2 1 3.4.3 1.2.7 2.4.7 3.4-.3 2.1-2.2 3-6.2 1.2-8.2C11.4 3.3 9.2 3.4 8 4.5zM8.2 3.8C8.2 2.2 9.3 1 11 1c0 1.6-1.1 2.8-2.8 2.8z',
  windows: 'M1 2.5 7 1.6v5.9H1zM8 1.4 15 .5v7H8zM1 8.5h6v5.9l-6-.9zM8 8.5h7v7l-7-1z',
  linux:
    'M8 1C6.3 1 5.2 2.4 5.2 4.2v1.6C3.7 7.4 2.5 9.6 2.5 11.6c0 1.6 1.2 2.9 3 3.2.8.1 1.6.2 2.5.2s1.7-.1 2.5-.2c1.8-.3 3-1.6 3-3.2 0-2-1.2-4.2-2.7-5.8V4.2C10.8 2.4 9.7 1 8 1zm0 6c1.4 0 2.5 1.8 2.5 4S9.4 14 8 14s-2.5-.8-2.5-3S6.6 7 8 7z',
  'video-camera':
    'M1 4.5A1.5 1.5 0 0 1 2.5 3h7A1.5 1.5 0 0 1 11 4.5v7A1.5 1.5 0 0 1 9.5 13h-7A1.5 1.5 0 0 1 1 11.5zM12 6.5l3-2v7l-3-2z',
  trophy:
    'M4 1h8v1h3v2a3 3 0 0 1-3 3h-.3A4 4 0 0 1 9 9.4V11h2v1H5v-1h2V9.4A4 4 0 0 1 4.3 7H4A3 3 0 0 1 1 4V2h3zm0 2H2v1a2 2 0 0 0 2 2zm8 0v3a2 2 0 0 0 2-2V3zM4 13h8v2H4z',
  camera:
    'M5.5 2h5l1 2H14a1 1 0 0 1 1 1v8a1 1 0 0 1-1 1H2a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1h2.5zM8 5.5a3 3 0 1 0 0 6 3 3 0 0 0 0-6zm0 1.5a1.5 1.5 0 1 1 0 3 1.5 1.5 0 0 1 0-3z',
  plane:
    'M7.3 1.2c.4-.5 1-.5 1.4 0 .3.4.3 1 .3 1.6v3.4l6 3.3V11l-6-1.8v3l1.8 1.3V15L8 14.2 5.2 15v-1.5L7 12.2v-3L1 11V9.5l6-3.3V2.8c0-.6 0-1.2.3-1.6z',
  paperclip:
    'M10.5 2a2.5 2.5 0 0 0-2.5 2.5v7a1 1 0 0 0 2 0V5h1v6.5a2 2 0 0 1-4 0v-7a3.5 3.5 0 0 1 7 0V11h-1V4.5A2.5 2.5 0 0 0 10.5 2zM5 5h1v6.5a3.5 3.5 0 0 0 7 0H14a4.5 4.5 0 0 1-9 0z',
  coffee:
    'M2 6h9v5a3 3 0 0 1-3 3H5a3 3 0 0 1-3-3zm9 1h1.5a2 2 0 0 1 0 4H11v-1h1.5a1 1 0 0 0 0-2H11zM4 1h1v3H4zm2.5 0h1v3h-1zM9 1h1v3H9z',
  gamepad:
    'M4.5 4h7a3.5 3.5 0 0 1 3.4 4.3l-.7 3A2.3 2.3 0 0 1 10.3 12L9 10.5H7L5.7 12a2.3 2.3 0 0 1-3.9-.7l-.7-3A3.5 3.5 0 0 1 4.5 4zM4 6v1H3v1h1v1h1V8h1V7H5V6zm6.5.5a.75.75 0 1 0 0 1.5.75.75 0 0 0 0-1.5zm1.5 1.5a.75.75 0 1 0 0 1.5.75.75 0 0 0 0-1.5z',
  bug: 'M8 2a2 2 0 0 1 2 2H6a2 2 0 0 1 2-2zM5 5h6a2 2 0 0 1 1 1.7V7h2v1h-2v1.5h2v1h-2.1A4 4 0 0 1 12 11a4 4 0 0 1-8 0v-.5H2v-1h2V8H2V7h2v-.3A2 2 0 0 1 5 5zm2.5 2v7.9a3 3 0 0 0 1 0V7z',
  umbrella: 'M8 1a7 7 0 0 1 7 7H8.5v4.5a2 2 0 0 1-4 0V12h1v.5a1 1 0 0 0 2 0V8H1a7 7 0 0 1 7-7z',
};

function renderBadgeIcon(badge: BadgeKey, decorative: boolean) {
  const label = BADGES[badge];
  const svg = (
    <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
      <path fill="currentColor" d={BADGE_PATHS[badge]} />
    </svg>
  );
  // Beside its written label the icon is decoration; alone (the list) it is the badge's only name.
  return decorative ? (
    <i class={`fa fa-${badge}`} aria-hidden="true">
      {svg}
    </i>
  ) : (
    <i class={`fa fa-${badge}`} title={label} role="img" aria-label={label}>
      {svg}
    </i>
  );
}

// Each icon is the same markup every time: rendered (and escaped) once, not once per row per view.
const RENDERED = new Map<BadgeKey, HtmlEscapedString>(
  BADGE_KEYS.map((badge) => [badge, raw(String(renderBadgeIcon(badge, false)))]),
);
const DECORATIVE = new Map<BadgeKey, HtmlEscapedString>(
  BADGE_KEYS.map((badge) => [badge, raw(String(renderBadgeIcon(badge, true)))]),
);

/** One badge as an icon; `decorative` when its label is written beside it. */
export function BadgeIcon(props: { badge: BadgeKey; decorative?: boolean }) {
  const decorative = props.decorative === true;
  return (
    (decorative ? DECORATIVE : RENDERED).get(props.badge) ??
    renderBadgeIcon(props.badge, decorative)
  );
}

/** One badge as a labelled pill, for the view page. */
export function BadgePill(props: { badge: BadgeKey }) {
  return (
    <span class="badge">
      <BadgeIcon badge={props.badge} decorative /> {BADGES[props.badge]}
    </span>
  );
}
