import { PageOf } from '../../../common/openapi/properties.js';
import { UserDto } from './user.dto.js';

/** GET /users: a page of users by username. */
export const UserPage = PageOf(UserDto);
