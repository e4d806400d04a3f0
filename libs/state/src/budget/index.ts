export {
  MemoryBudgetLedger,
  RESERVATION_TTL_MS,
  type BudgetCounter,
  type BudgetLedger,
  type BudgetReservation,
  type ReserveResult,
  type SettleResult,
} from './budget-ledger';
export { RedisBudgetLedger, type RedisBudgetLedgerOptions } from './redis-budget-ledger';
