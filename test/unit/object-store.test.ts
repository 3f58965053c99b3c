/** The export bucket's download links (issue 18, finding 7): a browser or proxy never keeps the zip. */
import { S3Client } from '@aws-sdk/client-s3';
import { S3ObjectStore } from '../../functions/aws/object-store';

describe('S3ObjectStore.downloadUrl', () => {
  it('signs a link whose answer says Cache-Control: no-store, as an attachment with its file name', async () => {
    // Prepare
    const s3 = new S3Client({
      region: 'ap-southeast-3',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    });
    const store = new S3ObjectStore(s3, 'dsr-exports');

    // Act
    const url = new URL(
      await store.downloadUrl('exports/20260101-access-abcdefghjk/package.zip', {
        fileName: 'my-data.zip',
        contentType: 'application/zip',
        expiresInSeconds: 900,
      }),
    );

    // Assess
    expect(url.searchParams.get('response-cache-control')).toBe('no-store');
    expect(url.searchParams.get('response-content-disposition')).toBe('attachment; filename="my-data.zip"');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
  });
});
