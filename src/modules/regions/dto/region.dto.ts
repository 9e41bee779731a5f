import { localized } from '../../../common/http/validation.js';
import { PageQuery } from '../../../common/pagination.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches } from 'class-validator';

export class CreateRegionDto {
  @ApiProperty({ example: '410122100201', description: '6, 9 or 12 digits; the parent is derived from it' })
  @IsString()
  @Matches(/^(\d{6}|\d{9}|\d{12})$/, localized('code6912'))
  code!: string;

  @ApiProperty({ example: '东风村' })
  @IsString()
  @Length(1, 100)
  name!: string;
}

export class ListRegionsQuery extends PageQuery {
  @ApiPropertyOptional({ example: '410122', description: 'Parent code; omitted means the top of your scope' })
  @IsOptional()
  @Matches(/^\d{6}(\d{3}){0,2}$/, localized('regionCode'))
  parent?: string;
}

export class RegionDto {
  @ApiProperty() code!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ nullable: true, type: String }) parentCode!: string | null;
  @ApiProperty({ enum: ['PROVINCE', 'CITY', 'COUNTY', 'TOWNSHIP', 'VILLAGE'] }) level!: string;
}
