import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { PageQuery } from '../../../common/pagination.js';

export class ListAuditEventsQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'disbursement_batch' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  entityType?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 200)
  entityId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  actorId?: string;

  @ApiPropertyOptional({ example: 'batch.approved' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  action?: string;

  @ApiPropertyOptional({ description: 'The X-Request-Id of the request that wrote the events' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  requestId?: string;

  @ApiPropertyOptional({ description: 'ISO timestamp, inclusive', example: '2012-01-01T00:00:00+08:00' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'ISO timestamp, exclusive', example: '2013-01-01T00:00:00+08:00' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ enum: ['asc', 'desc'], default: 'asc', description: 'by event id (the chain order)' })
  @IsOptional()
  @IsIn(['asc', 'desc'])
  order: 'asc' | 'desc' = 'asc';
}

export class AuditEventDto {
  @ApiProperty() id!: string;
  @ApiProperty() occurredAt!: string;
  @ApiProperty({ nullable: true, type: String }) actorId!: string | null;
  @ApiProperty({ nullable: true, type: String }) actorUsername!: string | null;
  @ApiProperty({ nullable: true, type: String }) actorRole!: string | null;
  @ApiProperty() action!: string;
  @ApiProperty() entityType!: string;
  @ApiProperty({ nullable: true, type: String }) entityId!: string | null;
  @ApiProperty({ nullable: true, type: String }) regionCode!: string | null;
  @ApiPropertyOptional({ type: Object, nullable: true }) before!: unknown;
  @ApiPropertyOptional({ type: Object, nullable: true }) after!: unknown;
  @ApiProperty({ nullable: true, type: String }) requestId!: string | null;
  @ApiProperty({ nullable: true, type: String }) address!: string | null;
}

export class AuditEventPageDto {
  @ApiProperty({ type: [AuditEventDto] }) items!: AuditEventDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class AuditHeadDto {
  @ApiProperty() seq!: number;
  @ApiProperty() hash!: string;
  @ApiProperty() lastEventId!: string;
}

export class AuditVerifyProblemDto {
  @ApiPropertyOptional() block?: number;
  @ApiPropertyOptional() eventId?: string;
  @ApiProperty() problem!: string;
}

export class AuditVerifyResultDto {
  @ApiProperty() ok!: boolean;
  @ApiProperty() blocks!: number;
  @ApiProperty({ description: 'Events inside sealed blocks, all re-hashed' }) events!: number;
  @ApiProperty({ description: 'Events after the last block, not yet sealed' }) unsealed!: number;
  @ApiPropertyOptional({ description: 'The first block whose content, range or link does not verify' })
  firstBadBlock?: number;
  @ApiPropertyOptional({ type: [AuditVerifyProblemDto] }) problems?: AuditVerifyProblemDto[];
  @ApiProperty({ type: AuditHeadDto }) head!: AuditHeadDto;
}

export class SealResultDto {
  @ApiProperty() ran!: boolean;
  @ApiProperty() sealedBlocks!: number;
  @ApiProperty() sealedEvents!: number;
  @ApiProperty({ type: AuditHeadDto }) head!: AuditHeadDto;
}

export class TraceBatchQuery extends PageQuery {}
