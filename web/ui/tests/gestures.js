// Touch gestures Playwright has no API for (a long-press, a finger drag),
// sent as real touch events through the Chrome DevTools Protocol. The
// context must have hasTouch.

const wait = ms => new Promise(r => setTimeout(r, ms))

async function cdp(page) {
  if (!page.__cdp) page.__cdp = await page.context().newCDPSession(page)
  return page.__cdp
}

// longPress holds one finger still at (x, y) for ms.
export async function longPress(page, x, y, ms = 700) {
  const s = await cdp(page)
  await s.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x, y }] })
  await wait(ms)
  await s.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] })
}

// touchDrag puts a finger down at from, moves it to to in steps, and calls
// during(page) before lifting it (to read what shows while dragging).
export async function touchDrag(page, from, to, { steps = 12, during } = {}) {
  const s = await cdp(page)
  await s.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: from.x, y: from.y }] })
  for (let i = 1; i <= steps; i++) {
    const x = from.x + ((to.x - from.x) * i) / steps, y = from.y + ((to.y - from.y) * i) / steps
    await s.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x, y }] })
    await wait(16)
  }
  const seen = during ? await during(page) : undefined
  await s.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] })
  return seen
}
