import { localized } from '../../../common/http/validation.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, Length, Matches, ValidateIf } from 'class-validator';
import { ROLES, type Role } from '../../../common/auth/roles.js';

export class CreateUserDto {
  @ApiProperty({ example: 'clerk.baisha' })
  @IsString()
  @Matches(/^[A-Za-z0-9._-]{3,64}$/, localized('username'))
  username!: string;

  @ApiProperty({ minLength: 8, maxLength: 200 })
  @IsString()
  @Length(8, 200, localized('password'))
  password!: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role!: Role;

  @ApiProperty({ example: '410122100' })
  @IsString()
  @Matches(/^\d{6}(\d{3}){0,2}$/, localized('regionCode'))
  regionCode!: string;

  @ApiPropertyOptional({ example: '王芳', description: 'The real name (真实姓名), 1-50 characters' })
  @IsOptional()
  @IsString()
  @Length(1, 50, localized('realName'))
  realName?: string;
}

/** What an ADMIN changes about a user; every field optional, at least one given. */
export class UpdateUserDto {
  @ApiPropertyOptional({ description: 'A disabled user cannot sign in, and their tokens stop working at once' })
  @IsOptional()
  @IsBoolean()
  disabled?: boolean;

  @ApiPropertyOptional({ enum: ROLES, description: 'Takes effect on the next request (checked per request)' })
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional({ example: '410122101', description: 'Must suit the role (township for CLERK, ...)' })
  @IsOptional()
  @IsString()
  @Matches(/^\d{6}(\d{3}){0,2}$/, localized('regionCode'))
  regionCode?: string;

  @ApiPropertyOptional({ type: String, nullable: true, example: '王芳', description: 'null clears it' })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @Length(1, 50, localized('realName'))
  realName?: string | null;

  @ApiPropertyOptional({ minLength: 8, maxLength: 200, description: 'A new password set by the ADMIN (a reset)' })
  @IsOptional()
  @IsString()
  @Length(8, 200, localized('password'))
  password?: string;
}

export class UserDto {
  @ApiProperty() id!: string;
  @ApiProperty() username!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty() regionCode!: string;
  @ApiProperty({ type: String, nullable: true }) realName!: string | null;
  @ApiProperty() disabled!: boolean;
  @ApiProperty() createdAt!: string;
}
