import { All, Controller, Inject, Post, Req, Res } from '@nestjs/common';
import { anthropicMessagesAdapter, openAiChatAdapter, openAiResponsesAdapter } from '@leeway/wire';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProxyService } from '../proxy.service';
import type { RouteSpec } from '../proxy.service';

export const ROUTES = {
  anthropicMessages: {
    route: 'anthropic.messages',
    provider: 'anthropic',
    adapter: anthropicMessagesAdapter,
    optimize: true,
    tapKind: 'anthropic',
  },
  // Counts the body Leeway *would* forward (compressed, retrieve tool included), so a client's context
  // meter matches what is sent. Decisions made here are the ones /v1/messages replays (made once, I2).
  anthropicCountTokens: {
    route: 'anthropic.count_tokens',
    provider: 'anthropic',
    adapter: anthropicMessagesAdapter,
    optimize: true,
    tapKind: null,
  },
  openAiChat: {
    route: 'openai.chat_completions',
    provider: 'openai',
    adapter: openAiChatAdapter,
    optimize: true,
    tapKind: 'openai-chat',
  },
  openAiResponses: {
    route: 'openai.responses',
    provider: 'openai',
    adapter: openAiResponsesAdapter,
    optimize: true,
    tapKind: 'openai-responses',
  },
  passthrough: { route: 'passthrough', provider: null, adapter: null, optimize: false, tapKind: null },
} as const satisfies Record<string, RouteSpec>;

/** The provider APIs Leeway optimises. Thin: the pipeline lives in `ProxyService`. */
@Controller()
export class ProviderController {
  constructor(@Inject(ProxyService) private readonly proxy: ProxyService) {}

  @Post('/v1/messages')
  messages(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.proxy.serve(req, reply, ROUTES.anthropicMessages);
  }

  @Post('/v1/messages/count_tokens')
  countTokens(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.proxy.serve(req, reply, ROUTES.anthropicCountTokens);
  }

  @Post('/v1/chat/completions')
  chatCompletions(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.proxy.serve(req, reply, ROUTES.openAiChat);
  }

  @Post('/v1/responses')
  responses(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.proxy.serve(req, reply, ROUTES.openAiResponses);
  }
}

/** Every other path and method (models, embeddings, batches, files, …) is relayed untouched. */
@Controller()
export class PassthroughController {
  constructor(@Inject(ProxyService) private readonly proxy: ProxyService) {}

  @All('*')
  relay(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.proxy.serve(req, reply, ROUTES.passthrough);
  }
}
