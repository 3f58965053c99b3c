import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { KeyAttribute, TableDefinition } from '../definitions/tables';

const attribute = (k: KeyAttribute): dynamodb.Attribute => ({
  name: k.name,
  type: k.type === 'S' ? dynamodb.AttributeType.STRING : dynamodb.AttributeType.NUMBER,
});

/** The key schema and indexes of a shared table definition, as TableV2 props. */
export function tableShape(
  def: TableDefinition,
): Pick<
  dynamodb.TablePropsV2,
  'partitionKey' | 'sortKey' | 'globalSecondaryIndexes' | 'timeToLiveAttribute'
> {
  return {
    partitionKey: attribute(def.partitionKey),
    ...(def.sortKey ? { sortKey: attribute(def.sortKey) } : {}),
    ...(def.timeToLiveAttribute ? { timeToLiveAttribute: def.timeToLiveAttribute } : {}),
    globalSecondaryIndexes: (def.globalSecondaryIndexes ?? []).map((g) => ({
      indexName: g.indexName,
      partitionKey: attribute(g.partitionKey),
      ...(g.sortKey ? { sortKey: attribute(g.sortKey) } : {}),
    })),
  };
}
