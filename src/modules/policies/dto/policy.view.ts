import { PageOf } from '../../../common/openapi/properties.js';
import { PolicySummaryDto } from './policy.dto.js';

/** GET /policies: a page of policies with the version in force. */
export const PolicySummaryPage = PageOf(PolicySummaryDto);
