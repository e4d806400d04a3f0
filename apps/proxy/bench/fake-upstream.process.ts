// The fake upstream in its own process, for the proxy benchmark (prints its URL as one JSON line).
import { startFakeUpstream } from '@leeway/testing';

const upstream = await startFakeUpstream({ tokenizer: 'approximate', promptCaching: false, maxRecorded: 50 });
process.stdout.write(`${JSON.stringify({ url: upstream.url })}\n`);
const stop = (): void => {
  void upstream.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
