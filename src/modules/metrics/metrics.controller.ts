import { Controller, Get, Headers, Res, UnauthorizedException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../../common/auth/roles.decorator.js';
import { MetricsService } from './metrics.service.js';
import { ApiProblems, ApiSummary } from '../../common/openapi/api-problems.decorator.js';
import { ApiDownload } from '../../common/openapi/api-download.decorator.js';
import { TAGS } from '../../common/openapi/openapi-document.js';

/** Also served at `/metrics`, outside the API prefix, where Prometheus looks by default. */
@ApiTags(TAGS.health)
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Public()
  @ApiDownload({ description: 'Prometheus text format', files: ['text/plain'] })
  @ApiSummary('Prometheus 监控指标', 'Needs the METRICS_TOKEN bearer token when one is set (401 otherwise).')
  @ApiProblems({ 401: ['UNAUTHENTICATED'] })
  async scrape(@Headers('authorization') authorization: string | undefined, @Res() response: Response): Promise<void> {
    if (!this.metrics.allows(authorization))
      throw new UnauthorizedException('A valid metrics bearer token is required');
    const { contentType, body } = await this.metrics.render();
    response.status(200).type(contentType).send(body);
  }
}
