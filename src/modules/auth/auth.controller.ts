import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { CurrentActor } from '../../common/auth/current-actor.decorator.js';
import { Public, Roles } from '../../common/auth/roles.decorator.js';
import type { Actor } from '../../common/request-context.js';
import { durationSeconds } from '../../common/duration.js';
import { AppConfig } from '../../config/app-config.js';
import { UsersService } from '../users/users.service.js';
import { AuthService } from './auth.service.js';
import { ChangePasswordDto, LoginDto, LoginResponseDto } from './dto/login.dto.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
    private readonly config: AppConfig,
  ) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  @ApiOkResponse({ type: LoginResponseDto })
  @ApiUnauthorizedResponse({ description: 'Unknown username, wrong password or disabled account' })
  @ApiTooManyRequestsResponse({ description: 'More than 10 failed sign-ins a minute for this username and address' })
  login(@Body() body: LoginDto): Promise<LoginResponseDto> {
    return this.auth.login(body.username, body.password, durationSeconds(this.config.JWT_EXPIRES_IN));
  }

  @Post('password')
  @Roles()
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The password is changed; tokens already issued stay valid until they expire' })
  @ApiBadRequestResponse({ description: 'WRONG_PASSWORD (the current password is not right) or VALIDATION_FAILED' })
  async changePassword(@Body() body: ChangePasswordDto, @CurrentActor() actor: Actor): Promise<void> {
    await this.users.changePassword(actor.id, body.currentPassword, body.newPassword);
  }
}
