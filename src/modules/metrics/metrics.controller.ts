import { Controller, Get, Headers, Res, UnauthorizedException } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../../common/auth/roles.decorator.js';
import { MetricsService } from './metrics.service.js';

/** Also served at `/metrics`, outside the API prefix, where Prometheus looks by default. */
@ApiTags('health')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Public()
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text format' })
  @ApiUnauthorizedResponse({ description: 'METRICS_TOKEN is set and the bearer token is not it' })
  async scrape(@Headers('authorization') authorization: string | undefined, @Res() response: Response): Promise<void> {
    if (!this.metrics.allows(authorization))
      throw new UnauthorizedException('A valid metrics bearer token is required');
    const { contentType, body } = await this.metrics.render();
    response.status(200).type(contentType).send(body);
  }
}
