import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiTags, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { Public } from '../../common/auth/roles.decorator.js';
import { durationSeconds } from '../../common/duration.js';
import { AppConfig } from '../../config/app-config.js';
import { AuthService } from './auth.service.js';
import { LoginDto, LoginResponseDto } from './dto/login.dto.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
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
}
