import { BADGES, type BadgeKey } from '@empdir/shared';

// Text glyphs stand in for the Font Awesome 4 icons the original loaded from a CDN.
const GLYPHS: Record<BadgeKey, string> = {
  apple: '\u{1F34E}',
  windows: '\u229E',
  linux: '\u{1F427}',
  'video-camera': '\u{1F3A5}',
  trophy: '\u{1F3C6}',
  camera: '\u{1F4F7}',
  plane: '\u2708',
  paperclip: '\u{1F4CE}',
  coffee: '\u2615',
  gamepad: '\u{1F3AE}',
  bug: '\u{1F41B}',
  umbrella: '\u2602',
};

/** One badge as an icon with its label as title, as the original rendered it. */
export function BadgeIcon(props: { badge: BadgeKey }) {
  const label = BADGES[props.badge];
  return (
    <i class={`fa fa-${props.badge}`} title={label} role="img" aria-label={label}>
      {GLYPHS[props.badge]}
    </i>
  );
}

/** One badge as a labelled pill, for the view page. */
export function BadgePill(props: { badge: BadgeKey }) {
  return (
    <span class="badge">
      <BadgeIcon badge={props.badge} /> {BADGES[props.badge]}
    </span>
  );
}
