import { createElement, useEffect, useRef, useState } from 'react';

/** Re-renders every second while mounted: for "waited 01:23" and retry countdowns. */
export function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  return now;
}

export function mmss(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

export interface VideoProps {
  stream: MediaStream | undefined;
  muted?: boolean;
  className?: string;
  label?: string;
  testId?: string;
}

/** A <video> bound to a MediaStream. Playback is started but never awaited: it only resolves once media flows. */
export function Video(props: VideoProps) {
  const ref = useRef<HTMLVideoElement>(null);
  const trackCount = props.stream?.getTracks().length ?? 0;
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (el.srcObject !== (props.stream ?? null)) el.srcObject = props.stream ?? null;
    if (props.stream) void el.play().catch(() => {});
  }, [props.stream, trackCount]);
  return createElement('video', {
    ref,
    className: props.className,
    autoPlay: true,
    playsInline: true,
    muted: props.muted,
    'aria-label': props.label,
    'data-testid': props.testId,
  });
}
