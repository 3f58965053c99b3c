import type { S3Client } from '@aws-sdk/client-s3';
import type { ExportedRecord, StoreExportFile, StoreExports } from '../core/ports';
import { writeStoreExport } from '../export/store-export';

/** The `StoreExports` port on the exports bucket (`exports/<requestId>/stores/<storeId>.json`). */
export class S3StoreExports implements StoreExports {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  write(
    requestId: string,
    storeId: string,
    records: AsyncIterable<readonly ExportedRecord[]>,
  ): Promise<StoreExportFile> {
    return writeStoreExport({ s3: this.s3, bucket: this.bucket }, { requestId, storeId, records });
  }
}
