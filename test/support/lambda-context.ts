// The shared Lambda Context fixture; the local runtime uses the same one.
export { lambdaContext } from '../../infra/local/lambda-context';
