export type { AccountStatus, CommitEventInput, CommitEventOp, EventType, SyncEventInput } from './events.ts'
export {
  type EventListener,
  type SequencedEvent,
  Sequencer,
  SequencerOutsideTransactionError,
} from './sequencer.ts'
