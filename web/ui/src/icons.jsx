// Pinhole's icon set: small stroke icons drawn for a 24×24 grid, bundled with
// the app (no icon font, no CDN).
const P = {
  photo: 'M4 5h16v14H4z M4 16l5-5 4 4 3-3 4 4 M15.5 9.5a1.5 1.5 0 1 0 .01 0',
  album: 'M5 4h12a2 2 0 0 1 2 2v14l-4-3H5z M8 8h8 M8 11h5',
  map: 'M9 4 3 6v14l6-2 6 2 6-2V4l-6 2-6-2z M9 4v14 M15 6v14',
  pin: 'M12 21s-6-5.3-6-11a6 6 0 0 1 12 0c0 5.7-6 11-6 11z M12 12.5a2.5 2.5 0 1 0 0-5 2.5 2.5 0 0 0 0 5z',
  folder: 'M3 7a2 2 0 0 1 2-2h4l2 2h8a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2z',
  heart: 'M12 20s-7-4.4-7-10a4 4 0 0 1 7-2.6A4 4 0 0 1 19 10c0 5.6-7 10-7 10z',
  more: 'M5 12h.01 M12 12h.01 M19 12h.01',
  calendar: 'M4 6h16v14H4z M4 10h16 M8 3v5 M16 3v5',
  archive: 'M3 5h18v4H3z M5 9v10h14V9 M10 13h4',
  lock: 'M6 11h12v9H6z M8.5 11V8a3.5 3.5 0 0 1 7 0v3',
  missing: 'M12 4 2.5 20h19z M12 10v4 M12 17h.01',
  settings: 'M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6z M19.4 13a7.6 7.6 0 0 0 0-2l2-1.6-2-3.4-2.4 1a7 7 0 0 0-1.7-1L15 3.5h-4L10.6 6a7 7 0 0 0-1.7 1l-2.4-1-2 3.4 2 1.6a7.6 7.6 0 0 0 0 2l-2 1.6 2 3.4 2.4-1a7 7 0 0 0 1.7 1l.4 2.5h4l.4-2.5a7 7 0 0 0 1.7-1l2.4 1 2-3.4z',
  search: 'M10.5 17a6.5 6.5 0 1 0 0-13 6.5 6.5 0 0 0 0 13z M15.5 15.5 20 20',
  upload: 'M12 16V4 M7 9l5-5 5 5 M4 16v4h16v-4',
  user: 'M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8z M4 21a8 8 0 0 1 16 0',
  close: 'M6 6l12 12 M18 6 6 18',
  check: 'M5 12.5l4.5 4.5L19 7.5',
  left: 'M15 5l-7 7 7 7',
  right: 'M9 5l7 7-7 7',
  up: 'M5 15l7-7 7 7',
  down: 'M5 9l7 7 7-7',
  info: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z M12 11v6 M12 7.5h.01',
  download: 'M12 4v12 M7 11l5 5 5-5 M4 20h16',
  plus: 'M12 5v14 M5 12h14',
  share: 'M18 8a3 3 0 1 0 0-6 3 3 0 0 0 0 6z M6 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6z M18 22a3 3 0 1 0 0-6 3 3 0 0 0 0 6z M8.6 13.5l6.8 4 M15.4 6.5l-6.8 4',
  trash: 'M4 7h16 M9 7V4h6v3 M6 7l1 13h10l1-13',
  copy: 'M9 9h11v11H9z M5 15H4V4h11v1',
  play: 'M8 5v14l11-7z',
  edit: 'M4 20h4L19 9l-4-4L4 16z M13.5 6.5l4 4',
  sun: 'M12 16a4 4 0 1 0 0-8 4 4 0 0 0 0 8z M12 2v2 M12 20v2 M4.9 4.9l1.4 1.4 M17.7 17.7l1.4 1.4 M2 12h2 M20 12h2 M4.9 19.1l1.4-1.4 M17.7 6.3l1.4-1.4',
  keyboard: 'M3 6h18v12H3z M7 10h.01 M11 10h.01 M15 10h.01 M7 14h10',
  logout: 'M15 4h4v16h-4 M10 8l-4 4 4 4 M6 12h10',
  video: 'M3 6h13v12H3z M16 10l5-3v10l-5-3',
  menu: 'M4 6h16 M4 12h16 M4 18h16',
  zoomIn: 'M10.5 17a6.5 6.5 0 1 0 0-13 6.5 6.5 0 0 0 0 13z M15.5 15.5 20 20 M10.5 8v5 M8 10.5h5',
  star: 'M12 3.5l2.6 5.4 5.9.8-4.3 4.1 1 5.8-5.2-2.8-5.2 2.8 1-5.8-4.3-4.1 5.9-.8z',
  refresh: 'M20 11a8 8 0 1 0-2.3 5.7 M20 4v7h-7',
  grip: 'M9 6h.01 M15 6h.01 M9 12h.01 M15 12h.01 M9 18h.01 M15 18h.01',
  image: 'M4 5h16v14H4z M4 16l5-5 4 4 3-3 4 4',
  clock: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z M12 7v5l3 2',
  alert: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z M12 7.5v5.5 M12 16.5h.01',
  broken: 'M4 5h7l-1.5 4 3 3-2 7H4z M15 5h5v14h-6.5l2-6-3-3z',
  sliders: 'M4 7h9 M17 7h3 M15 5v4 M4 17h3 M11 17h9 M9 15v4',
  // Apple's sign for a live photo: a dot, a ring, and a dotted ring.
  live: 'M12 13.6a1.6 1.6 0 1 0 0-3.2 1.6 1.6 0 0 0 0 3.2z M12 17a5 5 0 1 0 0-10 5 5 0 0 0 0 10z M12 3h.01 M12 21h.01 M3 12h.01 M21 12h.01 M5.6 5.6h.01 M18.4 18.4h.01 M5.6 18.4h.01 M18.4 5.6h.01 M8.6 3.7h.01 M15.4 3.7h.01 M8.6 20.3h.01 M15.4 20.3h.01 M3.7 8.6h.01 M3.7 15.4h.01 M20.3 8.6h.01 M20.3 15.4h.01',
  // Slideshow, stories and the photo frame (slideshow.jsx, memories.jsx, frame.jsx).
  pause: 'M8 5v14 M16 5v14',
  shuffle: 'M3 7h3.5c4 0 6 10 10.5 10H21 M3 17h3.5c1.7 0 2.9-1.8 4-4 M13.5 9c1-1.2 2-2 3.5-2H21 M18 4l3 3-3 3 M18 14l3 3-3 3',
  expand: 'M4 9V4h5 M15 4h5v5 M20 15v5h-5 M9 20H4v-5',
  slideshow: 'M3 5h18v14H3z M10 9v6l5-3z',
  frame: 'M4 4h16v13H4z M7 14l3.5-4 2.5 3 2-2 2 3 M9 21h6 M12 17v4',
}

export function Icon({ name, filled, size = 24, class: cls = '' }) {
  const d = P[name] || P.photo
  return (
    <svg class={'icon ' + cls} width={size} height={size} viewBox="0 0 24 24" aria-hidden="true"
      fill={filled ? 'currentColor' : 'none'} stroke="currentColor" stroke-width={name === 'more' ? 3 : 1.8}
      stroke-linecap="round" stroke-linejoin="round">
      <path d={d} />
    </svg>
  )
}
