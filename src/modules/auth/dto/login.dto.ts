import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { UserDto } from '../../users/dto/user.dto.js';

export class LoginDto {
  @ApiProperty({ example: 'finance.zhongmou' })
  @IsString()
  @Length(1, 64)
  username!: string;

  @ApiProperty()
  @IsString()
  @Length(1, 200)
  password!: string;
}

export class LoginUserDto {
  @ApiProperty() id!: string;
  @ApiProperty() username!: string;
  @ApiProperty() role!: string;
  @ApiProperty() regionCode!: string;
}

export class LoginResponseDto {
  @ApiProperty() accessToken!: string;
  @ApiProperty({ example: 28800, description: 'Seconds until the token expires' }) expiresIn!: number;
  @ApiProperty({ type: LoginUserDto }) user!: LoginUserDto;
}

export { UserDto };

export class ChangePasswordDto {
  @ApiProperty({ description: 'The password the user signs in with now' })
  @IsString()
  @Length(1, 200)
  currentPassword!: string;

  @ApiProperty({ description: 'The new password, 8 to 200 characters' })
  @IsString()
  @Length(8, 200)
  newPassword!: string;
}
