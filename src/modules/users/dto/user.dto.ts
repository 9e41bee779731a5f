import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsString, Length, Matches } from 'class-validator';
import { ROLES, type Role } from '../../../common/auth/roles.js';

export class CreateUserDto {
  @ApiProperty({ example: 'clerk.baisha' })
  @IsString()
  @Matches(/^[A-Za-z0-9._-]{3,64}$/, { message: 'username has 3-64 letters, digits, dots, dashes or underscores' })
  username!: string;

  @ApiProperty({ minLength: 8, maxLength: 200 })
  @IsString()
  @Length(8, 200, { message: 'password must have 8 to 200 characters' })
  password!: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role!: Role;

  @ApiProperty({ example: '410122100' })
  @IsString()
  @Matches(/^\d{6}(\d{3}){0,2}$/, { message: 'regionCode must be a region code' })
  regionCode!: string;
}

export class UpdateUserDto {
  @ApiProperty({ description: 'A disabled user cannot sign in, and their tokens stop working at once' })
  @IsBoolean()
  disabled!: boolean;
}

export class UserDto {
  @ApiProperty() id!: string;
  @ApiProperty() username!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty() regionCode!: string;
  @ApiProperty() disabled!: boolean;
  @ApiProperty() createdAt!: string;
}
