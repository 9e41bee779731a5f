import { Global, Module } from '@nestjs/common';
import { AuditEventsService } from './audit-events.service.js';
import { AuditSealProcessor } from './audit-seal.processor.js';
import { AuditSealer } from './audit-sealer.js';
import { AuditVerifier } from './audit-verifier.js';
import { AuditController } from './audit.controller.js';
import { AuditRepository } from './audit.repository.js';
import { AuditService } from './audit.service.js';
import { TraceRepository } from './trace.repository.js';
import { TraceService } from './trace.service.js';

@Global()
@Module({
  controllers: [AuditController],
  providers: [
    AuditService,
    AuditRepository,
    AuditSealer,
    AuditVerifier,
    AuditSealProcessor,
    AuditEventsService,
    TraceRepository,
    TraceService,
  ],
  exports: [AuditService, AuditSealer],
})
export class AuditModule {}
