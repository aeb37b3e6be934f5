export { type PreferenceScope, PreferencesService } from './service.ts'
