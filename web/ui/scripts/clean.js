// Removes the previous build (but not dist/.gitkeep, which git tracks so the
// Go embed pattern always matches something).
import { rmSync } from 'node:fs'
rmSync(new URL('../dist/assets', import.meta.url), { recursive: true, force: true })
rmSync(new URL('../dist/index.html', import.meta.url), { force: true })
