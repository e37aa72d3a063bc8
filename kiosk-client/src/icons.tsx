// Inline SVG icons: kiosk PCs on an intranet may have no emoji font, and nothing may load from a CDN.
const common = { width: '1em', height: '1em', viewBox: '0 0 24 24', fill: 'currentColor', 'aria-hidden': true } as const;

export const PhoneIcon = () => (
  <svg {...common}>
    <path d="M6.6 10.8a15.1 15.1 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25 11.4 11.4 0 0 0 3.6.57 1 1 0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.25.2 2.45.57 3.57a1 1 0 0 1-.25 1z" />
  </svg>
);

export const LockIcon = () => (
  <svg {...common}>
    <path d="M12 2a5 5 0 0 0-5 5v3H6a2 2 0 0 0-2 2v8a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-8a2 2 0 0 0-2-2h-1V7a5 5 0 0 0-5-5zm-3 8V7a3 3 0 0 1 6 0v3zm3 3.5a1.5 1.5 0 0 1 .75 2.8V18h-1.5v-1.7A1.5 1.5 0 0 1 12 13.5z" />
  </svg>
);

export const WarningIcon = () => (
  <svg {...common}>
    <path d="M1 21h22L12 2zm12-3h-2v-2h2zm0-4h-2v-4h2z" />
  </svg>
);

/** Faces for the rating buttons: a villager who cannot read the words still knows which is which. */
const face = (mouth: string) => () => (
  <svg {...common} fill="none" stroke="currentColor" strokeWidth={2} strokeLinecap="round">
    <circle cx="12" cy="12" r="10" />
    <circle cx="8.5" cy="9.5" r="1.2" fill="currentColor" />
    <circle cx="15.5" cy="9.5" r="1.2" fill="currentColor" />
    <path d={mouth} />
  </svg>
);
export const SmileIcon = face('M7.5 14.5q4.5 4 9 0');
export const PlainIcon = face('M8 15.5h8');
export const FrownIcon = face('M7.5 17q4.5-4 9 0');
