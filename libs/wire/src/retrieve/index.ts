// Reversible compression, the pure parts: the `leeway_retrieve` tool (sticky bytes), retrieve calls and
// answers, continuation requests, the stream splicer and the response merge, and the retrieve loop with
// injected I/O. See README.md here.
export {
  addRetrieveToolEdit,
  clientDeclaresRetrieveTool,
  hasLeewayRetrieveTool,
  RETRIEVE_TOOL_ANTHROPIC,
  RETRIEVE_TOOL_CHAT,
  RETRIEVE_TOOL_NAME,
  RETRIEVE_TOOL_RESPONSES,
  retrieveToolJson,
} from './tool-definitions';
export {
  answerFor,
  invalidKeyText,
  originalResolver,
  parseRetrieveCall,
  resolveRetrieveCalls,
  unknownKeyText,
  type RetrieveAnswer,
  type RetrieveCall,
  type RetrieveResolver,
  type RetrieveStatus,
} from './retrieve-calls';
export { joinRoundText, type AssistantTurn, type WithheldCall } from './assistant-turn';
export { inspectResponse, mergeResponseBodies, type RoundInspection } from './response-rounds';
export { buildContinuation } from './continuation';
export {
  createStreamSplicer,
  type SpliceError,
  type SpliceRoundEnd,
  type StreamSplicer,
  type StreamSplicerOptions,
} from './stream-splicer';
export { sumNormalizedUsage, sumUsageObjects } from './usage-sum';
export {
  DEFAULT_MAX_RETRIEVE_ROUNDS,
  runRetrieveLoop,
  runStreamingRetrieveLoop,
  upstreamErrorOf,
  type NonStreamingRetrieveLoopResult,
  type RetrieveLoopEnd,
  type RetrieveLoopInput,
  type RetrieveLoopResult,
  type StreamingRetrieveLoopInput,
  type StreamingRetrieveLoopResult,
} from './retrieve-loop';
