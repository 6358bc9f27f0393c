import { t } from './i18n.js'

// Role names as the server spells them (db.RoleAdmin, db.RoleUser,
// db.RoleViewer in db/users.go); web/roles_test.go fails when the two
// lists differ or another module spells a role itself.
export const ADMIN = 'admin'
export const USER = 'user'
export const VIEWER = 'viewer'

// ROLES is every role, most powerful first, for pickers.
export const ROLES = [ADMIN, USER, VIEWER]

// canEdit: admins and users edit, upload and share; viewers only look.
export const canEdit = role => role === ADMIN || role === USER

export const isAdmin = role => role === ADMIN

// roleName is a role as people read it, in their language.
export const roleName = role => (ROLES.includes(role) ? t(`settings.role_${role}`) : role || '')
