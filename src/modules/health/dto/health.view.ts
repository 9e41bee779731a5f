import { ApiProperty } from '@nestjs/swagger';

/** GET /health. */
export class HealthView {
  @ApiProperty({ enum: ['ok'] }) status!: string;
  @ApiProperty({ enum: ['up', 'down'] }) db!: string;
  @ApiProperty({ enum: ['up', 'down'] }) queue!: string;
  @ApiProperty({ enum: ['bull', 'in-process'] }) queueMode!: string;
}

/** GET /health/live. */
export class LiveView {
  @ApiProperty({ enum: ['ok'] }) status!: string;
}

/** GET /health/ready (terminus): each check by name, `{status: "up" | "down", ...}`. */
export class ReadinessView {
  @ApiProperty({ enum: ['ok', 'error', 'shutting_down'] }) status!: string;
  @ApiProperty({ type: Object, required: false, description: 'The checks that are up' }) info?: object;
  @ApiProperty({ type: Object, required: false, description: 'The checks that are down' }) error?: object;
  @ApiProperty({ type: Object, description: 'Every check: db, queue, migrations' }) details!: object;
}
