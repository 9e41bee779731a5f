import { PageOf } from '../../../common/openapi/properties.js';
import { RegionDto } from './region.dto.js';

/** GET /regions: a page of child regions. */
export const RegionPage = PageOf(RegionDto);
